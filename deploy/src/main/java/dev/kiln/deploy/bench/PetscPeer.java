package dev.kiln.deploy.bench;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.BufferedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PETSc as the peer, through petsc4py in the system Python (Debian {@code python3-petsc4py}):
 * the matrix goes over in PETSc's binary format, one process runs MatMult or KSPCG on it and
 * prints one {@code key=value} line per measurement. Two traps from the issue are handled here:
 * {@code /usr/bin/python3} is used (another python3 may come first on PATH, without petsc4py)
 * and {@code PETSC_DIR} is set to Debian's real-scalar build before the import.
 */
final class PetscPeer {
    static final String PYTHON = "/usr/bin/python3";
    static final String PETSC_DIR = "/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real";

    private final Path dir;
    private final String version;

    private PetscPeer(Path dir, String version) {
        this.dir = dir;
        this.version = version;
    }

    /** The peer, or null when petsc4py does not import (the reason goes to {@code why[0]}). */
    static PetscPeer find(Path workDir, String[] why) {
        try {
            Files.createDirectories(workDir);
            Path script = workDir.resolve("kiln_petsc_peer.py");
            try (var in = PetscPeer.class.getResourceAsStream("/bench/kiln_petsc_peer.py")) {
                if (in == null) { why[0] = "peer script missing from the jar"; return null; }
                Files.write(script, in.readAllBytes());
            }
            List<String> out = run(workDir, List.of("version"), 60);
            for (String line : out) if (line.startsWith("version=")) return new PetscPeer(workDir, line.substring(8));
            why[0] = "petsc4py did not import: " + String.join(" | ", out);
        } catch (IOException | InterruptedException e) {
            why[0] = "could not run " + PYTHON + ": " + e.getMessage();
        }
        return null;
    }

    String version() { return version; }

    /** Writes A in PETSc's binary Mat format (big-endian: classid, M, N, nz, row lengths, columns, values). */
    Path write(CsrMatrix a, String name) throws IOException {
        Path f = dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".petsc");
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(f), 1 << 20))) {
            o.writeInt(1211216);                            // MAT_FILE_CLASSID (petscmat.h)
            o.writeInt(a.rows());
            o.writeInt(a.cols());
            o.writeInt(a.nnz());
            int[] rp = a.rowPtr();
            for (int i = 0; i < a.rows(); i++) o.writeInt(rp[i + 1] - rp[i]);
            for (int c : a.colIdx()) o.writeInt(c);
            for (double v : a.values()) o.writeDouble(v);
        }
        return f;
    }

    /** Runs the peer script with {@code args}; returns its output lines parsed as key=value maps. */
    List<Map<String, String>> measure(List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : run(dir, args, timeoutSeconds)) {
            if (!line.startsWith("PEER ")) continue;
            Map<String, String> m = new LinkedHashMap<>();
            for (String kv : line.substring(5).trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            rows.add(m);
        }
        return rows;
    }

    private static List<String> run(Path dir, List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, dir.resolve("kiln_petsc_peer.py").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PETSC_DIR", PETSC_DIR);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) lines.add(l);
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            lines.add("timed out after " + timeoutSeconds + " s");
        }
        return lines;
    }
}
