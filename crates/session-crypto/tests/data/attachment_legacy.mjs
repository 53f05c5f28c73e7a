// Regenerate with `node attachment_legacy.mjs > attachment_legacy.json` (the tests read any JSON layout).
// Known answers for the legacy attachment scheme, computed with Node's WebCrypto (the API desktop
// uses) and desktop's padding formula evaluated by a JavaScript engine.
const { subtle } = globalThis.crypto;
const MAX = 10_000_000;
function padded(n) {
  let p = Math.max(541, Math.floor(Math.pow(1.05, Math.ceil(Math.log(n) / Math.log(1.05)))));
  if (p > MAX && n <= MAX) p = MAX;
  return p;
}
const hex = b => Buffer.from(b).toString('hex');
async function enc(keys, iv, pt) {
  const aes = await subtle.importKey('raw', keys.slice(0, 32), { name: 'AES-CBC' }, false, ['encrypt']);
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, aes, pt));
  const ivct = new Uint8Array(16 + ct.length); ivct.set(iv); ivct.set(ct, 16);
  const mk = await subtle.importKey('raw', keys.slice(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await subtle.sign('HMAC', mk, ivct));
  const blob = new Uint8Array(ivct.length + 32); blob.set(ivct); blob.set(mac, ivct.length);
  const digest = new Uint8Array(await subtle.digest('SHA-256', blob));
  return { blob: hex(blob), digest: hex(digest) };
}
const keys = new Uint8Array(64).map((_, i) => i);
const iv = new Uint8Array(16).map((_, i) => 0xa0 + i);
const out = { key: hex(keys), iv: hex(iv), cases: [] };
const text = new TextEncoder().encode('Hello Session');
out.cases.push({ plaintext: hex(text), padded: false, ...(await enc(keys, iv, text)) });
const data = new Uint8Array(1000).map((_, i) => (i * 7) % 256);
const p = new Uint8Array(padded(data.length)); p.set(data);
out.cases.push({ plaintext: hex(data), padded: true, padded_size: p.length, ...(await enc(keys, iv, p)) });
// Padded sizes at every step of the 1.05 ladder up to past the 10 MB limit, and either side.
const sizes = new Set([0, 1, 2, 540, 541, 542, 9_999_999, 10_000_000, 10_000_001, 12_345_678]);
for (let k = 0; k < 340; k++) {
  const v = Math.floor(Math.pow(1.05, k));
  for (const n of [v - 1, v, v + 1]) if (n >= 0) sizes.add(n);
}
out.padded_sizes = [...sizes].sort((a, b) => a - b).map(n => [n, padded(n)]);
console.log(JSON.stringify(out, null, 1));
