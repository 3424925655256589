// Kiln's multicolour SOR / SSOR on the device (Saad, "Iterative Methods for Sparse Linear
// Systems", 2nd ed., section 12.4: multicolour orderings; red-black for the 5-point stencil).
// The matrix is uploaded symmetrically permuted so each colour is a contiguous block of rows
// (DeviceMatrix, layout COLOURED) and no two rows of a colour are coupled: a colour's rows are
// updated at once, each reading only other colours' x, which is exactly Gauss-Seidel/SOR in the
// multicolour order. One launch of relax_sweep per colour; SOR runs the colours forward, SSOR
// forward then backward.
//
// Specialised at build time with -D:
//   KILN_FP64  defined: arithmetic in double (needs cl_khr_fp64); otherwise float
//   WG         work-group size of relax_residual, a power of two

#ifdef KILN_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

#ifndef REAL
#define REAL real
#endif

// x_i += omega (b_i - sum_j a_ij x_j) / a_ii for the rows first .. first + count - 1 (one colour).
// No barriers, so the tail returns early; one work-item per row (PoCL finding 2).
__kernel void relax_sweep(const int first,
                          const int count,
                          __global const int* restrict rowPtr,
                          __global const int* restrict colIdx,
                          __global const REAL* restrict values,
                          __global const REAL* restrict invDiag,
                          __global const REAL* restrict b,
                          __global REAL* x,
                          const REAL omega) {
    const int g = get_global_id(0);
    if (g >= count) return;
    const int i = first + g;
    REAL sum = 0;
    const int end = rowPtr[i + 1];
    for (int k = rowPtr[i]; k < end; k++) sum += values[k] * x[colIdx[k]];
    x[i] += omega * (b[i] - sum) * invDiag[i];
}

// partial[g] = sum over this work-group's rows of (b - A x)_i^2 (grid-stride; the host adds the
// partials). Every work-item reaches every barrier.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void relax_residual(const int n,
                    __global const int* restrict rowPtr,
                    __global const int* restrict colIdx,
                    __global const REAL* restrict values,
                    __global const REAL* restrict b,
                    __global const REAL* restrict x,
                    __global REAL* restrict partial) {
    __local REAL sh[WG];
    const int lid = get_local_id(0);
    REAL rr = 0;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        REAL sum = 0;
        const int end = rowPtr[i + 1];
        for (int k = rowPtr[i]; k < end; k++) sum += values[k] * x[colIdx[k]];
        const REAL r = b[i] - sum;
        rr += r * r;
    }
    sh[lid] = rr;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = WG / 2; stride > 0; stride >>= 1) {
        if (lid < stride) sh[lid] += sh[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) partial[get_group_id(0)] = sh[0];
}
