#!/usr/bin/env python3
"""Derives the group known-answer vectors in vectors.txt from the formulas of spec/crypto.md §4,
independently of the Rust code: Python's hashlib BLAKE2b, the `cryptography` package (X25519,
Ed25519, ChaCha20, ChaCha20-Poly1305) and the Ed25519 arithmetic below. Seeds are those of
libsession-util's tests/test_group_keys.cpp. Run: python3 derive_vectors.py > vectors.txt"""
import hashlib, struct
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives import serialization as ser

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
I = pow(2, (P - 1) // 4, P)

def b2b(n, data, key=b""):
    return hashlib.blake2b(data, digest_size=n, key=key).digest()

def inv(x): return pow(x, P - 2, P)

def xrecover(y, sign):
    xx = (y * y - 1) * inv(D * y * y + 1) % P
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P: x = x * I % P
    if (x * x - xx) % P: raise ValueError("not a point")
    if x & 1 != sign: x = P - x
    return x

def decompress(b):
    y = int.from_bytes(b, "little") & (2**255 - 1)
    x = xrecover(y, b[31] >> 7)
    return (x, y, 1, x * y % P)

def add(p, q):
    x1, y1, z1, t1 = p; x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P; b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P; d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)

def mul(s, p):
    q = (0, 1, 1, 0)
    while s:
        if s & 1: q = add(q, p)
        p = add(p, p); s >>= 1
    return q

def compress(p):
    x, y, z, _ = p
    zi = inv(z); x = x * zi % P; y = y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")

B = decompress((4 * inv(5) % P).to_bytes(32, "little"))

def le(b): return int.from_bytes(b, "little")

def ed_pub(seed):
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)

def ed_sign(seed, msg): return Ed25519PrivateKey.from_private_bytes(seed).sign(msg)

def x_secret(seed):
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248; h[31] &= 127; h[31] |= 64
    return bytes(h)

def x_pub_of_secret(sk):
    return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)

def x_dh(sk, pk):
    return X25519PrivateKey.from_private_bytes(sk).exchange(X25519PublicKey.from_public_bytes(pk))

def session_id(seed): return b"\x05" + x_pub_of_secret(x_secret(seed))

def rotl(v, c): return ((v << c) & 0xffffffff) | (v >> (32 - c))

def hchacha20(key, nonce16):
    s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] + list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))
    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = rotl(s[b] ^ s[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))

def xchacha_seal(key, nonce, msg):
    return ChaCha20Poly1305(hchacha20(key, nonce[:16])).encrypt(b"\0" * 4 + nonce[16:], msg, None)

def drg(seed, n):
    enc = Cipher(algorithms.ChaCha20(seed, b"\0" * 4 + b"LibsodiumDRG"), mode=None).encryptor()
    return enc.update(b"\0" * n)

def bstr(b): return str(len(b)).encode() + b":" + b
def bint(i): return b"i" + str(i).encode() + b"e"

H = bytes.fromhex
GROUP_SEED = H("0123456789abcdeffedcba98765432100123456789abcdeffedcba9876543210")
ADMIN1 = H("0123456789abcdef0123456789abcdeffedcba9876543210fedcba9876543210")
MEMBERS = [H(s) for s in [
    "000111222333444555666777888999aaabbbcccdddeeefff0123456789abcdef",
    "00011122435111155566677788811263446552465222efff0123456789abcdef",
    "00011129824754185548239498168169316979583253efff0123456789abcdef",
    "0000111122223333444455556666777788889999aaaabbbbccccddddeeeeffff"]]

def out(name, value):
    print(f"{name} = {value.hex() if isinstance(value, bytes) else value}")

C = ed_pub(GROUP_SEED)
c_sk64 = GROUP_SEED + C
gx_sk = x_secret(GROUP_SEED); gx_pk = x_pub_of_secret(gx_sk)
out("group_pubkey", C)
out("group_x25519", gx_pk)
sids = sorted(session_id(s) for s in [ADMIN1] + MEMBERS)
for i, s in enumerate([ADMIN1] + MEMBERS):
    out(f"session_id_{i}", session_id(s))

# Rekey, generation 0, for the admin and the four members.
h2 = b2b(32, GROUP_SEED, b"SessionGroupKeySeed")
h1 = b2b(56, b"".join(s.hex().encode() for s in sids) + b"0" + h2, b"SessionGroupKeyGen")
key, nonce = h1[:32], h1[32:]
out("rekey_key", key); out("rekey_nonce", nonce)
admin_k = b2b(32, GROUP_SEED, b"SessionGroupKeyAdminKey")
K = xchacha_seal(admin_k, nonce, key)
out("rekey_admin_copy", K)
copies = []
for s in sids:
    shared = x_dh(gx_sk, s[1:])
    k = b2b(32, shared + gx_pk + s[1:], b"SessionGroupKeyMemberKey")
    copies.append(xchacha_seal(k, nonce, key))
junk_seed = b2b(32, h1 + c_sk64, b"SessionGroupJunkMembers")
junk = drg(junk_seed, 48 * (75 - len(copies)))
entries = copies + [junk[i:i + 48] for i in range(0, len(junk), 48)]
body = b"d" + bstr(b"#") + bstr(nonce) + bstr(b"G") + bint(0) + bstr(b"K") + bstr(K) + bstr(b"k") + b"l" + b"".join(bstr(e) for e in entries) + b"e"
msg = body + bstr(b"~") + bstr(ed_sign(GROUP_SEED, body)) + b"e"
out("rekey_message", msg)

# Subaccount of member 0 (flags read + write) and one request signature.
m_seed = MEMBERS[0]
X = session_id(m_seed)[1:]
mask = b2b(32, GROUP_SEED, b"SessionGroupSubaccountMask")
k = le(b2b(64, b"\x05" + X + b"\x03" + C, mask)) % L
A = ed_pub(m_seed)
T = bytes(A[:31]) + bytes([A[31] & 0x7f])
kT = compress(mul(k, decompress(T)))
head = bytes([3, 3, 0, 0])
token = head + kT
auth = head + k.to_bytes(32, "little") + ed_sign(GROUP_SEED, token)
out("subaccount_member_seed", m_seed)
out("subaccount_token", token)
out("subaccount_auth_data", auth)
req = b"retrieve111700000000000"
a = le(x_secret(m_seed)) % L
t = (L - a) % L if A[31] & 0x80 else a
kt = k * t % L
hseed = b2b(32, m_seed, b"SubaccountSeed")
r = le(b2b(64, hseed + kT + req, b"SubaccountSig")) % L
R = compress(mul(r, B))
S = (r + le(hashlib.sha512(R + kT + req).digest()) % L * kt) % L
sig = R + S.to_bytes(32, "little")
Ed25519PublicKey.from_public_bytes(kT).verify(sig, req)
out("subaccount_request", req)
out("subaccount_signature", sig)

# Admin-signed control messages.
inv_msg = b"INVITE" + session_id(m_seed).hex().encode() + b"1700000000000"
out("invite_signature", ed_sign(GROUP_SEED, inv_msg))
out("info_change_signature", ed_sign(GROUP_SEED, b"INFO_CHANGE11700000000000"))
out("disappearing_change_signature", ed_sign(GROUP_SEED, b"INFO_CHANGE31700000000000"))
# desktop's `DELETE_CONTENT${timestamp}${memberSessionIds.join('')}${messageHashes.join('')}`
del_msg = (b"DELETE_CONTENT1700000000000" + session_id(m_seed).hex().encode()
           + b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + b"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
out("delete_content_message", del_msg)
out("delete_content_signature", ed_sign(GROUP_SEED, del_msg))
