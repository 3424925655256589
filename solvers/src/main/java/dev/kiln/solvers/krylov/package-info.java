/**
 * Krylov subspace solvers and their preconditioners (Saad, "Iterative Methods for Sparse
 * Linear Systems", 2nd ed., chapters 6 and 9). Plain classes chosen by the caller: no
 * reflection, no registries; solvers allocate their work vectors once per solve.
 */
package dev.kiln.solvers.krylov;
