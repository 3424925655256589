/**
 * Scalar reference kernels (BLAS-1 and CSR products) that the portable solvers run on and
 * that accelerated kernels in the backends are tested against.
 */
package dev.kiln.solvers.kernel;
