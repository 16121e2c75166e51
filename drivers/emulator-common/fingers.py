"""Synthetic fingers: a finger is a name, its template a deterministic function of that name.

Template layout (the emulator's own, not any vendor's): 4-byte magic, 16-byte identity (SHA-256 of
the name), filler from a SHA-256 counter stream, and a 16-bit sum of everything before it. The
identity survives an upload, a download into another module of the same size and a restore; a
template corrupted in transit fails the sum and the module treats it as unreadable.
"""

import hashlib

MAGIC = b'EMFP'
_IDENTITY_END = len(MAGIC) + 16


def identity_of_name(name):
    return hashlib.sha256(name.encode('utf-8')).digest()[:16]


def make_template(name, size):
    identity = identity_of_name(name)
    body = bytearray(MAGIC + identity)
    counter = 0
    while len(body) < size - 2:
        body += hashlib.sha256(identity + counter.to_bytes(4, 'big')).digest()
        counter += 1
    del body[size - 2:]
    return bytes(body) + (sum(body) & 0xFFFF).to_bytes(2, 'big')


def identity_of_template(template, size):
    """The identity a valid template carries, or None for a wrong size or a corrupted template."""
    if len(template) != size or template[:len(MAGIC)] != MAGIC:
        return None
    if (sum(template[:-2]) & 0xFFFF) != int.from_bytes(template[-2:], 'big'):
        return None
    return bytes(template[len(MAGIC):_IDENTITY_END])


def match_score(identity_a, identity_b):
    """A stable score per finger (60..259) so tests can assert it round-trips; 0 for different fingers."""
    if identity_a is None or identity_a != identity_b:
        return 0
    return 60 + identity_a[0] % 200


class FingerNames:
    """Maps identities back to the names tests used, for readable state dumps."""

    def __init__(self):
        self._names = {}

    def remember(self, name):
        identity = identity_of_name(name)
        self._names[identity] = name
        return identity

    def describe(self, identity):
        if identity is None:
            return 'unreadable'
        return self._names.get(identity, f'unknown:{identity.hex()[:8]}')


def template_control(request, fingers, slots, capacity, template_size):
    """The test-control commands both module families answer the same way: store_template puts a
    finger's template straight into a slot; template returns the bytes a finger's template has."""
    command = request['cmd']
    if command == 'store_template':
        slot, finger = request['slot'], request['finger']
        if not isinstance(slot, int) or not 0 <= slot < capacity:
            raise ValueError(f'slot must be an integer in 0..{capacity - 1}')
        fingers.remember(finger)
        slots[slot] = make_template(finger, template_size)
        return None
    if command == 'template':
        fingers.remember(request['finger'])
        return {'hex': make_template(request['finger'], template_size).hex()}
    raise KeyError(f'unknown command {command!r}')
