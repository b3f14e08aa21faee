// `npm run guest`: a small Linux guest for v86 from Debian's i386 packages, in build/guest/.
// The kernel linux-image-686:i386 depends on, busybox-static:i386 and an uncompressed initramfs whose
// /init loads the NIC drivers (ne2k-pci, virtio-net), sets the address given on the kernel command line
// (guest_ip=A.B.C.D/NN, guest_gw=A.B.C.D), starts busybox httpd on :80 serving a known file and a TCP
// echo on :7, prints READY on the serial console and leaves a shell there. BIOS from Debian's seabios.
// Idempotent: with the outputs in place (and this recipe unchanged) it asks apt nothing.
// Options: --out DIR (default build/guest), --quiet.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync,
  utimesSync, writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const outArg = args.indexOf('--out');
const OUT = resolve(outArg >= 0 && args[outArg + 1] ? args[outArg + 1] : 'build/guest');
const SEABIOS = '/usr/share/seabios';

/** What the guest is made of; a change here (or in this file) rebuilds. */
const RECIPE = {
  kernelMeta: 'linux-image-686:i386',
  busybox: 'busybox-static:i386',
  // The NIC drivers; their dependencies come from each module's `depends=` field.
  modules: ['ne2k-pci', 'virtio_pci', 'virtio_net'],
  blob: { path: '/blob.bin', size: 4 * 1024 * 1024 },
  ports: { http: 80, echo: 7 },
  ready: 'wasm-tcp-guest: READY',
  prompt: 'guest# ',
};
const SELF_HASH = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 16);
const MANIFEST = join(OUT, 'guest.json');

const log = (line) => { if (!quiet) console.error(`guest: ${line}`); };
/** Stops with one line on stderr (the script's only way to fail). */
function fail(line) {
  console.error(`npm run guest: ${line}`);
  process.exit(1);
}

if (upToDate()) {
  log(`${OUT} is up to date`);
  process.exit(0);
}

for (const tool of ['apt-get', 'apt-cache', 'dpkg-deb', 'cpio']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    fail(`${tool} is missing (a Debian host with apt, dpkg and cpio is needed: apt-get install cpio)`);
  }
}
const bios = join(SEABIOS, 'bios-256k.bin');
const vgaBios = join(SEABIOS, 'vgabios-stdvga.bin');
if (!existsSync(bios) || !existsSync(vgaBios)) fail(`${bios} is missing: apt-get install seabios`);

const kernelPkg = kernelPackage();
const debs = download([kernelPkg, RECIPE.busybox]);
const work = mkdtempSync(join(dirname(OUT), '.guest-'));
try {
  build(work, debs);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** True when every output named by the manifest exists and the manifest was made by this recipe. */
function upToDate() {
  if (!existsSync(MANIFEST)) return false;
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    return m.recipe === SELF_HASH && Object.values(m.files).every((f) => existsSync(join(OUT, f.name)));
  } catch {
    return false;
  }
}

/** The versioned kernel package the meta package depends on today, e.g. linux-image-6.1.0-57-686:i386. */
function kernelPackage() {
  const r = spawnSync('apt-cache', ['depends', RECIPE.kernelMeta], { encoding: 'utf8' });
  const dep = /Depends: (linux-image-[^\s<>]+)/.exec(r.stdout ?? '');
  if (r.status !== 0 || !dep) {
    fail(`apt knows no ${RECIPE.kernelMeta}: run \`dpkg --add-architecture i386 && apt-get update\` (as .ci/run does)`);
  }
  return dep[1].includes(':') ? dep[1] : `${dep[1]}:i386`;
}

/** `apt-get download`s the packages (cached in OUT/debs by file name); returns the .deb paths in order. */
function download(pkgs) {
  const cache = join(OUT, 'debs');
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(join(cache, '.dl-'));
  try {
    // Downloads as root otherwise warn that the _apt user cannot write here.
    const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
    // The file names apt would write (not in the order asked), to skip what the cache has.
    const uris = spawnSync('apt-get', ['download', '--print-uris', ...pkgs], { encoding: 'utf8' });
    const listed = [...(uris.stdout ?? '').matchAll(/^'[^']+' (\S+\.deb) /gm)].map((m) => m[1]);
    const names = pkgs.map((p) => listed.find((n) => debOf(n, p)));
    if (names.some((n) => !n || !existsSync(join(cache, n)))) {
      log(`apt-get download ${pkgs.join(' ')}`);
      const r = spawnSync('apt-get', ['download', '-q', ...sandbox, ...pkgs], { cwd: tmp, encoding: 'utf8' });
      if (r.status !== 0) {
        const why = `${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => /^(E|Err):/.test(l)).pop() ?? `exit ${r.status}`;
        fail(`apt-get download ${pkgs.join(' ')} failed (is the Debian archive reachable?): ${why}`);
      }
      for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(cache, f));
    }
    const got = pkgs.map((p, i) => names[i] ?? readdirSync(cache).filter((n) => debOf(n, p)).sort().pop());
    got.forEach((n, i) => { if (!n || !existsSync(join(cache, n))) fail(`apt-get download left no .deb of ${pkgs[i]}`); });
    return got.map((n) => join(cache, n));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** True when `file` is a .deb of `pkg` (name:arch). */
function debOf(file, pkg) {
  const [name, arch] = pkg.split(':');
  return file.startsWith(`${name}_`) && file.endsWith(`_${arch}.deb`);
}

function build(dir, [kernelDeb, busyboxDeb]) {
  const kx = join(dir, 'kernel');
  const bx = join(dir, 'busybox');
  execFileSync('dpkg-deb', ['-x', kernelDeb, kx]);
  execFileSync('dpkg-deb', ['-x', busyboxDeb, bx]);
  const debVersion = (deb) => execFileSync('dpkg-deb', ['-f', deb, 'Package', 'Version'], { encoding: 'utf8' })
    .trim().split('\n').map((l) => l.split(': ')[1]).join(' ');

  const release = readdirSync(join(kx, 'lib/modules'))[0];
  const vmlinuz = join(kx, 'boot', `vmlinuz-${release}`);
  if (!existsSync(vmlinuz)) fail(`${basename(kernelDeb)} has no /boot/vmlinuz-${release}`);

  // Root file system of the initramfs.
  const root = join(dir, 'root');
  for (const d of ['bin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'lib/modules', 'www', 'root']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(join(bx, 'bin/busybox'), join(root, 'bin/busybox'));
  const order = moduleOrder(join(kx, 'lib/modules', release, 'kernel'), RECIPE.modules);
  for (const m of order) copyFileSync(m.path, join(root, 'lib/modules', `${m.name}.ko`));
  writeFileSync(join(root, 'etc/modules'), `${order.map((m) => m.name).join('\n')}\n`);
  const blob = makeBlob(RECIPE.blob.size);
  writeFileSync(join(root, 'www', RECIPE.blob.path.slice(1)), blob);
  writeFileSync(join(root, 'www/index.html'), '<!doctype html><title>wasm-tcp guest</title><p>Hello from Linux in v86.</p>\n');
  writeFileSync(join(root, 'etc/hostname'), 'guest\n');
  writeFileSync(join(root, 'init'), initScript(), { mode: 0o755 });

  // Same inputs, same bytes: fixed times, sorted names, owner root.
  for (const p of walk(root)) utimesSync(p, 0, 0);
  const list = walk(root).map((p) => p.slice(root.length + 1) || '.').sort();
  const cpio = spawnSync('cpio', ['--create', '--format=newc', '--owner=0:0', '--reproducible', '--quiet'], {
    cwd: root, input: `${list.join('\n')}\n`, maxBuffer: 256 * 1024 * 1024,
  });
  if (cpio.status !== 0) fail(`cpio failed: ${cpio.stderr}`);

  mkdirSync(OUT, { recursive: true });
  const files = {};
  const put = (key, name, bytes) => {
    const tmp = join(OUT, `.${name}.${process.pid}`);
    writeFileSync(tmp, bytes);
    renameSync(tmp, join(OUT, name)); // atomic: a concurrent run writes the same bytes
    files[key] = { name, size: bytes.length, sha256: sha256(bytes) };
  };
  put('bzimage', 'bzImage', readFileSync(vmlinuz));
  put('initrd', 'initrd.cpio', cpio.stdout);
  put('bios', 'bios-256k.bin', readFileSync(bios));
  put('vgaBios', 'vgabios-stdvga.bin', readFileSync(vgaBios));
  const manifest = {
    recipe: SELF_HASH,
    // One id for this exact set of images: snapshots are valid only for the build that made them.
    build: sha256(Object.values(files).map((f) => f.sha256).join('\n')).slice(0, 16),
    kernel: { release, package: debVersion(kernelDeb) },
    busybox: { package: debVersion(busyboxDeb) },
    modules: order.map((m) => m.name),
    files,
    blob: { path: RECIPE.blob.path, size: blob.length, sha256: sha256(blob) },
    ports: RECIPE.ports,
    ready: RECIPE.ready,
    prompt: RECIPE.prompt,
    // ipv6.disable=1: IPv4 only (no router solicitations or MLD reports on the wire; servers in /proc/net/tcp).
    cmdline: 'console=ttyS0 rdinit=/init loglevel=4 mitigations=off tsc=reliable cryptomgr.notests noisapnp pnpbios=off ipv6.disable=1',
  };
  let previous;
  try {
    previous = JSON.parse(readFileSync(MANIFEST, 'utf8')).build;
  } catch {
    previous = undefined;
  }
  const tmp = `${MANIFEST}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, MANIFEST);
  // Snapshots of the guest (test/support/v86-guest.ts) restore only into the build that made them.
  if (previous !== manifest.build) rmSync(join(OUT, 'snapshots'), { recursive: true, force: true });
  const used = new Set([kernelDeb, busyboxDeb].map((d) => basename(d)));
  for (const f of readdirSync(join(OUT, 'debs'))) if (f.endsWith('.deb') && !used.has(f)) rmSync(join(OUT, 'debs', f));
  log(`${OUT}: kernel ${release} (${(files.bzimage.size / 1e6).toFixed(1)} MB), initrd ${(files.initrd.size / 1e6).toFixed(1)} MB, ` +
    `modules ${manifest.modules.join(' ')}, ${RECIPE.blob.path} sha256 ${manifest.blob.sha256.slice(0, 12)}…`);
}

/**
 * `wanted` and their dependencies (from each .ko's `depends=` in .modinfo; the package has no
 * modules.dep) in load order, dependencies first.
 */
function moduleOrder(tree, wanted) {
  const byName = new Map();
  for (const p of walk(tree)) if (p.endsWith('.ko')) byName.set(basename(p, '.ko').replace(/-/g, '_'), p);
  const order = [];
  const seen = new Set();
  const visit = (name, from) => {
    const key = name.replace(/-/g, '_');
    if (seen.has(key)) return;
    const path = byName.get(key);
    if (!path) fail(`kernel module ${name}${from ? ` (needed by ${from})` : ''} is not in the kernel package`);
    seen.add(key);
    const info = /\0depends=([^\0]*)\0/.exec(readFileSync(path).toString('latin1'));
    for (const dep of (info?.[1] ?? '').split(',').filter(Boolean)) visit(dep, key);
    order.push({ name: basename(path, '.ko'), path });
  };
  for (const w of wanted) visit(w);
  return order;
}

/** The served file: `size` deterministic bytes (SHA-256 in counter mode). */
function makeBlob(size) {
  const out = Buffer.alloc(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) {
    createHash('sha256').update(`wasm-tcp guest blob ${i}`).digest().copy(out, off);
  }
  return out;
}

/** PID 1 of the guest. */
function initScript() {
  const { http, echo } = RECIPE.ports;
  const listening = (port) => `:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`;
  return `#!/bin/busybox sh
# PID 1 of the wasm-tcp guest (written by scripts/guest.mjs).
/bin/busybox --install -s /bin
export PATH=/bin HOME=/root
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
hostname -F /etc/hostname
for m in $(cat /etc/modules); do insmod /lib/modules/$m.ko || echo "guest: insmod $m failed"; done

# guest_ip=A.B.C.D/NN and guest_gw=A.B.C.D from the kernel command line.
ip= gw=
for w in $(cat /proc/cmdline); do
  case "$w" in guest_ip=*) ip=\${w#guest_ip=} ;; guest_gw=*) gw=\${w#guest_gw=} ;; esac
done
dev=
for d in /sys/class/net/*; do [ "\${d##*/}" = lo ] || { dev=\${d##*/}; break; }; done
ip link set lo up
if [ -n "$dev" ]; then
  [ -n "$ip" ] && ip addr add "$ip" dev "$dev"
  ip link set "$dev" up
  [ -n "$gw" ] && ip route add default via "$gw"
  mac=$(cat /sys/class/net/$dev/address)
else
  echo "guest: no network card"
fi

httpd -p ${http} -h /www
nc -ll -p ${echo} -e cat &
# Ready only once both servers listen.
n=0
listening() { cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q "$1"; }
while ! listening '${listening(http)}' || ! listening '${listening(echo)}'; do
  n=$((n + 1)); [ $n -gt 500 ] && { echo "guest: servers did not start"; break; }
  usleep 10000
done
echo "${RECIPE.ready} dev=$dev mac=$mac ip=$ip gw=$gw"
export PS1='${RECIPE.prompt}'
while :; do setsid cttyhack sh; done
`;
}

function walk(dir) {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}
