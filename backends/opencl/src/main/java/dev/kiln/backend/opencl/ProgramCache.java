package dev.kiln.backend.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;

/**
 * Built programs of one device, keyed by source resource and build options (the -D
 * specialisation), so each variant is compiled once per device and process. A failed build is
 * tried once more before it is remembered: PoCL compiles through files in its kernel cache
 * (~/.cache/pocl/kcache), and a CI run of 29 Nov failed one build with "unable to rename
 * temporary … to output file …: No such file or directory" — the file system, not the source.
 * A build that fails twice is remembered: the same options would fail again, and the next job
 * is re-routed at once instead of paying for another compile.
 */
final class ProgramCache implements AutoCloseable {
    private final cl_context context;
    private final cl_device_id device;
    private final Map<String, Object> built = new HashMap<>(); // cl_program or KernelBuildException
    private final Compiler compiler;

    /** Builds one program; the device's compiler, or a test's. */
    interface Compiler {
        cl_program build(String name, String options);
    }

    ProgramCache(cl_context context, cl_device_id device) {
        this.context = context;
        this.device = device;
        this.compiler = this::build;
    }

    /** With the given compiler (tests: no device). */
    ProgramCache(Compiler compiler) {
        this.context = null;
        this.device = null;
        this.compiler = compiler;
    }

    /**
     * The program built from resource {@code name} (next to this class) with {@code options}.
     *
     * @throws KernelBuildException when it does not build, with the build log
     */
    synchronized cl_program get(String name, String options) {
        String key = name + '\n' + options;
        Object cached = built.get(key);
        if (cached instanceof cl_program p) return p;
        if (cached instanceof KernelBuildException e) throw e;
        cl_program p;
        try {
            p = compiler.build(name, options);
        } catch (KernelBuildException first) {
            try {
                p = compiler.build(name, options);
            } catch (KernelBuildException e) {
                built.put(key, e);
                throw e;
            }
        }
        built.put(key, p);
        return p;
    }

    private cl_program build(String name, String options) {
        String source = source(name);
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
            return program;
        } catch (CLException e) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            throw new KernelBuildException(name, options, CL.stringFor_errorCode(e.getStatus()), log);
        }
    }

    private String buildLog(cl_program program) {
        try {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            int len = 0;
            while (len < buf.length && buf[len] != 0) len++;
            return new String(buf, 0, len, StandardCharsets.UTF_8);
        } catch (CLException e) {
            return "(no build log: " + e.getMessage() + ")";
        }
    }

    static String source(String name) {
        try (InputStream in = ProgramCache.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("kernel source " + name + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + name, e);
        }
    }

    @Override
    public synchronized void close() {
        for (Object o : built.values()) if (o instanceof cl_program p) CL.clReleaseProgram(p);
        built.clear();
    }
}
