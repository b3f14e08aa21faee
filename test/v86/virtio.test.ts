// A real Linux guest on v86's virtio card (see cases.ts); under CI=true it must run.
import { guestCases, imagesOrSkip } from './cases.js';

guestCases('virtio', await imagesOrSkip());
