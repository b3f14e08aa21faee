// A real Linux guest on v86's ne2k card (see cases.ts); under CI=true it must run.
import { guestCases, imagesOrSkip } from './cases.js';

guestCases('ne2k', await imagesOrSkip());
