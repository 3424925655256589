// Kiln's device-resident (preconditioned) conjugate gradients: CSR-vector SpMV and CG's
// vector updates fused with work-group partial dot products; alpha and beta are computed
// and kept on the device, so an iteration is five kernel launches and no host round trip.
// The structure follows ViennaCL's iterative kernels (viennacl/linalg/opencl/kernels/
// iterative.hpp: cg_vector_update and the CSR product with fused inner products) and the
// CSR-vector SpMV of Bell and Garland, "Implementing sparse matrix-vector multiplication on
// throughput-oriented processors", SC'09, section 3.3 (VS lanes share a row).
//
// Specialised at build time with -D (see ClProgramOptions):
//   KILN_FP64    defined: arithmetic in double (needs cl_khr_fp64); otherwise float
//   WG           work-group size, a power of two
//   VS           lanes per row in the SpMV, a power of two <= WG (1 = one row per work-item)
//   JACOBI       1: z = D^-1 r (Jacobi-PCG); 0: z = r (plain CG, z is never touched)
//   SELL_C       rows per chunk of the SELL-C-sigma product cg_sell_spmv (see sell.cl)
//
// Every kernel starts by reading state[STATE_STATUS]; once CG has converged or broken down
// the remaining kernels of a batch do no work, so the host may enqueue k iterations and look
// at the state only after them. Kernels with barriers do not return early on it (PoCL 3.1
// mis-compiled an early return ahead of barriers: the lid == 0 tail ran once per work-item);
// they shrink their loops to nothing and skip their writes, keeping every barrier reached.

#ifdef KILN_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

// REAL is the element type of every buffer; a -D REAL=... in kiln.opencl.build-options overrides
// it (the tests use that to make the build fail on purpose and check the re-route).
#ifndef REAL
#define REAL real
#endif

#define ROWS_PER_GROUP (WG / VS)

// state[] (int): status and iteration count
#define STATE_STATUS 0
#define STATE_ITERATIONS 1
#define STATUS_RUNNING 0
#define STATUS_CONVERGED 1
#define STATUS_NOT_SPD 2
#define STATUS_DIVERGED 3

// s[] (real): scalars that stay on the device
#define S_RHO 0
#define S_ALPHA 1
#define S_BETA 2
#define S_RR 3
#define S_TOL2 4
#define S_PAP 5

// Sums sh[0..WG) into sh[0]; every work-item must call it (it has barriers).
inline void group_sum(__local REAL* sh, const int lid) {
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = WG / 2; stride > 0; stride >>= 1) {
        if (lid < stride) sh[lid] += sh[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// q = A p and, per work-group, partial[g] = sum over its rows of p_i q_i.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void cg_spmv(const int n,
             __global const int* restrict rowPtr,
             __global const int* restrict colIdx,
             __global const REAL* restrict values,
             __global const REAL* restrict p,
             __global REAL* restrict q,
             __global REAL* restrict partial,
             __global const int* restrict state) {
    __local REAL sh[WG];
    const int live = state[STATE_STATUS] == STATUS_RUNNING;
    const int lid = get_local_id(0);
    const int lane = lid % VS;
    const int vec = lid / VS;
    REAL pq = 0;
    const int rows = live ? n : 0;
    for (int base = get_group_id(0) * ROWS_PER_GROUP; base < rows; base += get_num_groups(0) * ROWS_PER_GROUP) {
        const int row = base + vec;
        REAL sum = 0;
        if (row < n) {
            const int end = rowPtr[row + 1];
            for (int k = rowPtr[row] + lane; k < end; k += VS) sum += values[k] * p[colIdx[k]];
        }
#if VS > 1
        sh[lid] = sum;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int stride = VS / 2; stride > 0; stride >>= 1) {
            if (lane < stride) sh[lid] += sh[lid + stride];
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        sum = sh[lid];
        barrier(CLK_LOCAL_MEM_FENCE); // sh is reused by the next block of rows
#endif
        if (lane == 0 && row < n) {
            q[row] = sum;
            pq += sum * p[row];
        }
    }
    sh[lid] = pq;
    group_sum(sh, lid);
    if (lid == 0 && live) partial[get_group_id(0)] = sh[0];
}

// q = A p and partial[g] = sum over its rows of p_i q_i, with A in SELL-C-sigma (layout of sell.cl)
// symmetrically permuted: slot i holds row i of P A P^T and the column indices are slots, so p, q
// and every other vector of the solve live in the sorted order and no gather through perm is
// needed. One work-item per slot (launch ceil(n / WG) groups): PoCL vectorises work-items, not a
// grid-stride loop (ARCHITECTURE.md, PoCL finding 2). Slots >= n are the last chunk's padding.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void cg_sell_spmv(const int n,
                  __global const int* restrict chunkPtr,
                  __global const int* restrict chunkLen,
                  __global const int* restrict cols,
                  __global const REAL* restrict values,
                  __global const REAL* restrict p,
                  __global REAL* restrict q,
                  __global REAL* restrict partial,
                  __global const int* restrict state) {
    __local REAL sh[WG];
    const int live = state[STATE_STATUS] == STATUS_RUNNING;
    const int lid = get_local_id(0);
    const int i = get_global_id(0);
    REAL pq = 0;
    if (live && i < n) {
        const int chunk = i / SELL_C;
        int k = chunkPtr[chunk] + (i - chunk * SELL_C);
        const int end = k + chunkLen[chunk] * SELL_C;
        REAL sum = 0;
        for (; k < end; k += SELL_C) sum += values[k] * p[cols[k]];
        q[i] = sum;
        pq = sum * p[i];
    }
    sh[lid] = pq;
    group_sum(sh, lid);
    if (lid == 0 && live) partial[get_group_id(0)] = sh[0];
}

// One work-group: pAp = sum of the partials; alpha = rho / pAp, or a breakdown status.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void cg_alpha(const int groups,
              __global const REAL* restrict partial,
              __global REAL* restrict s,
              __global int* restrict state) {
    __local REAL sh[WG];
    const int live = state[STATE_STATUS] == STATUS_RUNNING;
    const int lid = get_local_id(0);
    REAL acc = 0;
    for (int g = lid; g < (live ? groups : 0); g += WG) acc += partial[g];
    sh[lid] = acc;
    group_sum(sh, lid);
    if (lid == 0 && live) {
        const REAL pap = sh[0];
        s[S_PAP] = pap;
        if (isnan(pap) || isinf(pap)) state[STATE_STATUS] = STATUS_DIVERGED;
        else if (pap <= 0) state[STATE_STATUS] = STATUS_NOT_SPD;  // A is not positive definite along p
        else s[S_ALPHA] = s[S_RHO] / pap;
    }
}

// x += alpha p; r -= alpha q; z = D^-1 r; partial[g] = (r, z) and partial[groups + g] = (r, r).
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void cg_update_xr(const int n,
                  __global REAL* restrict x,
                  __global REAL* restrict r,
                  __global REAL* restrict z,
                  __global const REAL* restrict p,
                  __global const REAL* restrict q,
                  __global const REAL* restrict invDiag,
                  __global REAL* restrict partial,
                  __global const REAL* restrict s,
                  __global const int* restrict state) {
    __local REAL sh[WG];
    const int live = state[STATE_STATUS] == STATUS_RUNNING;
    const int lid = get_local_id(0);
    const REAL alpha = s[S_ALPHA];
    REAL rz = 0, rr = 0;
    for (int i = get_global_id(0); i < (live ? n : 0); i += get_global_size(0)) {
        x[i] += alpha * p[i];
        const REAL ri = r[i] - alpha * q[i];
        r[i] = ri;
#if JACOBI
        const REAL zi = invDiag[i] * ri;
        z[i] = zi;
#else
        const REAL zi = ri;
#endif
        rz += ri * zi;
        rr += ri * ri;
    }
    sh[lid] = rz;
    group_sum(sh, lid);
    if (lid == 0 && live) partial[get_group_id(0)] = sh[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    sh[lid] = rr;
    group_sum(sh, lid);
    if (lid == 0 && live) partial[get_num_groups(0) + get_group_id(0)] = sh[0];
}

// One work-group: rho' = (r, z), rr = (r, r); counts the iteration, tests convergence on the
// recursive residual (rr <= tol^2 (b, b)) and sets beta = rho' / rho.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void cg_beta(const int groups,
             __global const REAL* restrict partial,
             __global REAL* restrict s,
             __global int* restrict state) {
    __local REAL sh[WG];
    const int live = state[STATE_STATUS] == STATUS_RUNNING;
    const int lid = get_local_id(0);
    REAL acc = 0;
    for (int g = lid; g < (live ? groups : 0); g += WG) acc += partial[g];
    sh[lid] = acc;
    group_sum(sh, lid);
    const REAL rhoNext = sh[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    acc = 0;
    for (int g = lid; g < (live ? groups : 0); g += WG) acc += partial[groups + g];
    sh[lid] = acc;
    group_sum(sh, lid);
    if (lid == 0 && live) {
        const REAL rr = sh[0];
        state[STATE_ITERATIONS] += 1;
        s[S_RR] = rr;
        if (isnan(rr) || isinf(rr) || isnan(rhoNext) || isinf(rhoNext)) state[STATE_STATUS] = STATUS_DIVERGED;
        else if (rr <= s[S_TOL2]) state[STATE_STATUS] = STATUS_CONVERGED;
        else if (rhoNext <= 0) state[STATE_STATUS] = STATUS_NOT_SPD;  // the preconditioner is not positive definite
        else {
            s[S_BETA] = rhoNext / s[S_RHO];
            s[S_RHO] = rhoNext;
        }
    }
}

// p = z + beta p (z is r in plain CG).
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void cg_update_p(const int n,
                 __global REAL* restrict p,
                 __global const REAL* restrict z,
                 __global const REAL* restrict s,
                 __global const int* restrict state) {
    if (state[STATE_STATUS] != STATUS_RUNNING) return;
    const REAL beta = s[S_BETA];
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) p[i] = z[i] + beta * p[i];
}

// y = A x, for a plain product (benchmarks, kernel tests); same row scheme as cg_spmv.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void spmv(const int n,
          __global const int* restrict rowPtr,
          __global const int* restrict colIdx,
          __global const REAL* restrict values,
          __global const REAL* restrict x,
          __global REAL* restrict y) {
    __local REAL sh[WG];
    const int lid = get_local_id(0);
    const int lane = lid % VS;
    const int vec = lid / VS;
    for (int base = get_group_id(0) * ROWS_PER_GROUP; base < n; base += get_num_groups(0) * ROWS_PER_GROUP) {
        const int row = base + vec;
        REAL sum = 0;
        if (row < n) {
            const int end = rowPtr[row + 1];
            for (int k = rowPtr[row] + lane; k < end; k += VS) sum += values[k] * x[colIdx[k]];
        }
#if VS > 1
        sh[lid] = sum;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int stride = VS / 2; stride > 0; stride >>= 1) {
            if (lane < stride) sh[lid] += sh[lid + stride];
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        sum = sh[lid];
        barrier(CLK_LOCAL_MEM_FENCE);
#endif
        if (lane == 0 && row < n) y[row] = sum;
    }
}
