package dev.kiln.backend.cpu.kernel;

/** Which sparse format {@link CpuKernels#prepare} uses: chosen by rule, or forced (benchmarks, tests). */
public enum SpmvFormat {
    AUTO, CSR, SELL, DIA
}
