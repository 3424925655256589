package dev.kiln.backend.opencl;

import java.util.Locale;
import java.util.Map;

/**
 * The OpenCL backend's settings ({@code kiln.opencl.*}), parsed once in
 * {@link OpenClBackend#configure}. Each key is a constant with its documentation beside it,
 * as Kafka's {@code ConfigDef} pairs {@code *_CONFIG} with {@code *_DOC}.
 *
 * @param device            device selector; empty = first GPU, else accelerator, else CPU
 * @param forceFp32         run fp32 kernels even on a device with cl_khr_fp64
 * @param checkInterval     iterations enqueued between two reads of the device's CG state
 * @param memoryBudgetBytes device memory Kiln may hold for matrices and work vectors; 0 = half the device's global memory
 * @param buildOptions      extra options appended to every program build
 * @param workGroupSize     work-group size; 0 = {@link #DEFAULT_WORK_GROUP_SIZE} within the device's limit
 * @param lanesPerRow       work-items sharing one row in the SpMV; 0 = chosen per device and matrix
 * @param cgLayout          the matrix layout CG runs on; null = chosen per matrix ({@link DeviceMatrix#cgLayout})
 */
record OpenClConfig(String device, boolean forceFp32, int checkInterval, long memoryBudgetBytes,
                    String buildOptions, int workGroupSize, int lanesPerRow, DeviceMatrix.Layout cgLayout) {

    static final String DEVICE_CONFIG = "kiln.opencl.device";
    static final String DEVICE_DOC = "which OpenCL device to use: an index into the list of all devices (0, 1, ...), "
            + "a device type (cpu, gpu, accelerator), or a case-insensitive substring of the device, vendor or platform name; "
            + "empty picks the first GPU, else the first accelerator, else the first CPU device";
    static final String PRECISION_CONFIG = "kiln.opencl.precision";
    static final String PRECISION_DOC = "auto: fp64 kernels when the device has cl_khr_fp64, else fp32 (refined in fp64 on the host); "
            + "fp32: always fp32 kernels";
    static final String CHECK_INTERVAL_CONFIG = "kiln.opencl.check-interval";
    static final String CHECK_INTERVAL_DOC = "CG iterations enqueued between two reads of the device's convergence state "
            + "(also how often progress and cancellation are checked)";
    static final String MEMORY_BUDGET_CONFIG = "kiln.opencl.memory-budget-bytes";
    static final String MEMORY_BUDGET_DOC = "device memory for cached matrices and a job's work vectors; 0 = half the device's "
            + "global memory. A job that needs more is re-routed to another backend";
    static final String BUILD_OPTIONS_CONFIG = "kiln.opencl.build-options";
    static final String BUILD_OPTIONS_DOC = "extra OpenCL C compiler options appended to every program build (e.g. -cl-mad-enable)";
    static final String WORK_GROUP_SIZE_CONFIG = "kiln.opencl.work-group-size";
    static final String WORK_GROUP_SIZE_DOC = "work-group size of every kernel, a power of two; 0 = 128 within the device's limit";
    static final String LANES_PER_ROW_CONFIG = "kiln.opencl.lanes-per-row";
    static final String LANES_PER_ROW_DOC = "work-items sharing one matrix row in the CSR-vector SpMV, a power of two up to 32; "
            + "0 = 1 on CPU devices, else the mean row length rounded up to a power of two";

    static final String CG_FORMAT_CONFIG = "kiln.opencl.cg-format";
    static final String CG_FORMAT_DOC = "sparse format of the matrix in CG and PCG: auto (SELL-C-sigma when its padding is at most "
            + "1.25 x nnz, else CSR-vector), csr or sell";

    /**
     * 128 work-items: a multiple of every GPU's SIMD width (32 on NVIDIA, 64 on AMD GCN) and
     * the work-group size ViennaCL's vector kernels use (viennacl/linalg/opencl/kernels/vector.hpp).
     */
    static final int DEFAULT_WORK_GROUP_SIZE = 128;

    /**
     * 8 iterations between state reads: a read is a queue synchronisation (tens of µs on PoCL
     * and on GPUs over PCIe), and after convergence at most 7 batches' worth of kernels run
     * as no-ops (each returns after reading one int), so the waste is bounded either way.
     */
    static final int DEFAULT_CHECK_INTERVAL = 8;

    /** Widest row sharing: one NVIDIA warp, the width Bell and Garland's CSR-vector uses (SC'09 §3.3). */
    static final int MAX_LANES_PER_ROW = 32;

    static OpenClConfig defaults() {
        return new OpenClConfig("", false, DEFAULT_CHECK_INTERVAL, 0, "", 0, 0, null);
    }

    /**
     * Reads the {@code kiln.opencl.*} keys of {@code config} (others are ignored: they belong
     * to other parts).
     *
     * @throws IllegalArgumentException naming the key when a value is malformed
     */
    static OpenClConfig parse(Map<String, ?> config) {
        OpenClConfig d = defaults();
        String device = string(config, DEVICE_CONFIG, d.device());
        String precision = string(config, PRECISION_CONFIG, "auto").toLowerCase(Locale.ROOT);
        boolean fp32 = switch (precision) {
            case "auto", "" -> false;
            case "fp32" -> true;
            default -> throw new IllegalArgumentException(PRECISION_CONFIG + ": must be auto or fp32, was '" + precision + "'");
        };
        int check = (int) number(config, CHECK_INTERVAL_CONFIG, d.checkInterval(), 1, 1_000_000);
        long budget = number(config, MEMORY_BUDGET_CONFIG, 0, 0, Long.MAX_VALUE);
        String build = string(config, BUILD_OPTIONS_CONFIG, "");
        int wg = (int) number(config, WORK_GROUP_SIZE_CONFIG, 0, 0, 1 << 16);
        if (wg != 0 && Integer.bitCount(wg) != 1) {
            throw new IllegalArgumentException(WORK_GROUP_SIZE_CONFIG + ": must be a power of two, was " + wg);
        }
        int lanes = (int) number(config, LANES_PER_ROW_CONFIG, 0, 0, MAX_LANES_PER_ROW);
        if (lanes != 0 && Integer.bitCount(lanes) != 1) {
            throw new IllegalArgumentException(LANES_PER_ROW_CONFIG + ": must be a power of two, was " + lanes);
        }
        String format = string(config, CG_FORMAT_CONFIG, "auto").trim().toLowerCase(Locale.ROOT);
        DeviceMatrix.Layout cgLayout = switch (format) {
            case "auto", "" -> null;
            case "csr" -> DeviceMatrix.Layout.CSR;
            case "sell" -> DeviceMatrix.Layout.SELL;
            default -> throw new IllegalArgumentException(CG_FORMAT_CONFIG + ": must be auto, csr or sell, was '" + format + "'");
        };
        return new OpenClConfig(device.trim(), fp32, check, budget, build.trim(), wg, lanes, cgLayout);
    }

    private static String string(Map<String, ?> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null ? fallback : v.toString();
    }

    private static long number(Map<String, ?> config, String key, long fallback, long min, long max) {
        Object v = config.get(key);
        if (v == null || v.toString().isBlank()) return fallback;
        long x;
        try {
            x = v instanceof Number num ? num.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": must be an integer, was '" + v + "'");
        }
        if (x < min || x > max) throw new IllegalArgumentException(key + ": must be in [" + min + ", " + max + "], was " + x);
        return x;
    }
}
