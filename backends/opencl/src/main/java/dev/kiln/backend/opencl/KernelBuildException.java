package dev.kiln.backend.opencl;

/**
 * An OpenCL program did not build on the device. Carries the compiler's build log, which the
 * backend passes on in the re-route message and its degraded reason.
 */
final class KernelBuildException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String buildLog;

    KernelBuildException(String program, String options, String status, String buildLog) {
        super("OpenCL program " + program + " failed to build (" + status + ") with options '" + options + "'"
                + (buildLog.isBlank() ? "" : "; build log:\n" + buildLog.strip()));
        this.buildLog = buildLog;
    }

    String buildLog() { return buildLog; }
}
