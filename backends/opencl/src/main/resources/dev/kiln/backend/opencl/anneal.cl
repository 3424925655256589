// Many-replica simulated annealing of a QUBO, one work-item per replica (the CPU backend's
// SimulatedAnnealer, after D-Wave's cpu_sa.cpp, run by R work-items at once): sequential
// sweeps over the variables with Metropolis acceptance on cached local fields
// f_i = a_i + sum_j b_ij x_j, so a flip costs O(degree): dE_i = (1 - 2 x_i) f_i, and flipping
// i adds +-b_ij to each neighbour's field. States and fields are stored interleaved
// (element i of replica r at i * R + r) so that neighbouring work-items touch neighbouring
// addresses. The host launches a batch of sweeps at a time (so it can watch the clock and
// cancellation, and no launch runs long enough to trip a GPU watchdog); everything a replica
// needs between batches (x, f, energy, RNG state) stays on the device.
//
// Specialised at build time with -D:
//   KILN_FP64  defined: fields and energies in double (needs cl_khr_fp64); otherwise float

#ifdef KILN_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

// cpu_sa.cpp's skip threshold: -ln(2^-64) ~ 44.36; exp(-beta dE) below it cannot beat a 64-bit draw.
#define SKIP_THRESHOLD 44.36f

// xorshift128+ (Vigna, "Further scramblings of Marsaglia's xorshift generators", J. Comput.
// Appl. Math. 315, 2017), as the CPU backend's Xorshift128Plus.
inline ulong next_random(ulong* s0, ulong* s1) {
    ulong a = *s0;
    const ulong b = *s1;
    const ulong result = a + b;
    a ^= a << 23;
    *s0 = b;
    *s1 = a ^ b ^ (a >> 17) ^ (b >> 26);
    return result;
}

inline void flip(const int i, const int R, const int r, __global uchar* x, __global real* f,
                 __global const int* rowPtr, __global const int* colIdx, __global const real* coupling) {
    const uchar xi = x[i * R + r] ^ 1;
    x[i * R + r] = xi;
    const int end = rowPtr[i + 1];
    if (xi) { for (int k = rowPtr[i]; k < end; k++) f[colIdx[k] * R + r] += coupling[k]; }
    else    { for (int k = rowPtr[i]; k < end; k++) f[colIdx[k] * R + r] -= coupling[k]; }
}

// Random start and local fields from the seeds (rng[2r], rng[2r+1] are the replica's state).
__kernel void anneal_start(const int n, const int R,
                           __global const int* restrict rowPtr,
                           __global const int* restrict colIdx,
                           __global const real* restrict coupling,
                           __global const real* restrict linear,
                           __global uchar* restrict x,
                           __global real* restrict f,
                           __global real* restrict energy,
                           __global ulong* restrict rng) {
    const int r = get_global_id(0);
    if (r >= R) return;
    ulong s0 = rng[2 * r], s1 = rng[2 * r + 1];
    for (int i = 0; i < n; i++) x[i * R + r] = (uchar) (next_random(&s0, &s1) >> 63);
    real e = 0;
    for (int i = 0; i < n; i++) {
        real fi = linear[i];
        real upper = 0;
        for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
            const int j = colIdx[k];
            if (x[j * R + r]) {
                fi += coupling[k];
                if (j > i) upper += coupling[k];
            }
        }
        f[i * R + r] = fi;
        if (x[i * R + r]) e += linear[i] + upper;
    }
    energy[r] = e;
    rng[2 * r] = s0;
    rng[2 * r + 1] = s1;
}

// Sweeps first .. first+count-1 of the schedule beta[]; the last batch (polish = 1) ends with a
// greedy 1-flip descent to a local minimum, as SimulatedAnnealer.descend.
__kernel void anneal_sweeps(const int n, const int R, const int first, const int count, const int polish,
                            __global const int* restrict rowPtr,
                            __global const int* restrict colIdx,
                            __global const real* restrict coupling,
                            __global const float* restrict beta,
                            __global uchar* restrict x,
                            __global real* restrict f,
                            __global real* restrict energy,
                            __global ulong* restrict rng) {
    const int r = get_global_id(0);
    if (r >= R) return;
    ulong s0 = rng[2 * r], s1 = rng[2 * r + 1];
    real e = energy[r];
    for (int s = first; s < first + count; s++) {
        const float b = beta[s];
        const float skip = SKIP_THRESHOLD / b;
        for (int i = 0; i < n; i++) {
            const real fi = f[i * R + r];
            const real delta = x[i * R + r] ? -fi : fi;
            if (delta >= skip) continue;
            // accept when exp(-b dE) > u, u uniform in [0, 1) from the draw's top 24 bits (float's precision)
            if (delta > 0 && exp(-b * (float) delta) <= (float) (next_random(&s0, &s1) >> 40) * 0x1p-24f) continue;
            flip(i, R, r, x, f, rowPtr, colIdx, coupling);
            e += delta;
        }
    }
    if (polish) {
        int improved = 1;
        while (improved) {
            improved = 0;
            for (int i = 0; i < n; i++) {
                const real fi = f[i * R + r];
                const real delta = x[i * R + r] ? -fi : fi;
                if (delta < 0) {
                    flip(i, R, r, x, f, rowPtr, colIdx, coupling);
                    e += delta;
                    improved = 1;
                }
            }
        }
    }
    energy[r] = e;
    rng[2 * r] = s0;
    rng[2 * r + 1] = s1;
}
