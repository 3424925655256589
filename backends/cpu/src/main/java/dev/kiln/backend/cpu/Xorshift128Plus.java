package dev.kiln.backend.cpu;

/**
 * xorshift128+ (S. Vigna, "Further scramblings of Marsaglia's xorshift generators", J. Comput.
 * Appl. Math. 315, 2017), the generator D-Wave's cpu_sa.cpp uses; seeded through splitmix64
 * (Vigna's recommended seeding) so nearby seeds give unrelated streams.
 */
public final class Xorshift128Plus {
    private long s0;
    private long s1;

    public void seed(long seed) {
        long z = seed;
        s0 = splitmix(z += 0x9E3779B97F4A7C15L);
        s1 = splitmix(z + 0x9E3779B97F4A7C15L);
        if ((s0 | s1) == 0) s1 = 1;
    }

    static long splitmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long next() {
        long a = s0;
        long b = s1;
        s0 = b;
        a ^= a << 23;
        s1 = a ^ b ^ (a >>> 17) ^ (b >>> 26);
        return s1 + b;
    }
}
