#!/usr/bin/python3
"""Independent reference for xg::Generator: xoshiro256** seeded through splitmix64.

Prints the first values of Generator(seed).next_u64() (and the derived uniform() doubles) so the
numbers pinned in tests/test_tensor_random.cpp can be re-derived without the C++ code:

    /usr/bin/python3 tests/reference/xoshiro_reference.py [seed] [count]
"""
import math
import sys

MASK = (1 << 64) - 1


def splitmix64(x):
    """One splitmix64 step: returns (new_state, output)."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return x, z ^ (z >> 31)


def rotl(v, k):
    return ((v << k) | (v >> (64 - k))) & MASK


class Xoshiro256StarStar:
    def __init__(self, seed):
        x = seed & MASK
        self.s = []
        for _ in range(4):
            x, out = splitmix64(x)
            self.s.append(out)

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next_u64() >> 11) * 2.0 ** -53

    def below(self, n):
        """Uniform integer in [0, n) by rejection, as Generator::below()."""
        if n <= 1:
            return 0
        limit = MASK - (MASK % n)
        while True:
            x = self.next_u64()
            if x < limit:
                return x % n

    def randperm(self, n):
        """Fisher-Yates from the end, as xg::randperm()."""
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            p[i], p[j] = p[j], p[i]
        return p

    def normal_pair(self):
        """Box-Muller as in Generator::normal(): returns (first, spare) from two uniforms."""
        u1 = 0.0
        while u1 == 0.0:
            u1 = self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        theta = 2.0 * math.pi * u2
        return r * math.cos(theta), r * math.sin(theta)


def main():
    seed = int(sys.argv[1], 0) if len(sys.argv) > 1 else 42
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    g = Xoshiro256StarStar(seed)
    print(f"seed {seed}: state after seeding = " + ", ".join(f"0x{w:016x}" for w in g.s))
    for i in range(count):
        print(f"next_u64[{i}] = {g.next_u64()}ULL")
    g = Xoshiro256StarStar(seed)
    for i in range(count):
        print(f"uniform[{i}] = {g.uniform()!r}")
    g = Xoshiro256StarStar(seed)
    for i in range(count // 2):
        a, b = g.normal_pair()
        print(f"normal[{2 * i}] = {a!r}")
        print(f"normal[{2 * i + 1}] = {b!r}")
    g = Xoshiro256StarStar(seed)
    print(f"randint(-5, 5, [{count}]) =", [-5 + g.below(10) for _ in range(count)])
    g = Xoshiro256StarStar(seed)
    print("randperm(8) =", g.randperm(8))


if __name__ == "__main__":
    main()
