package dev.kiln.backend.opencl;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.spi.*;
import dev.kiln.spi.conformance.ReferenceJobs;
import org.jocl.*;
import org.junit.jupiter.api.Test;
import java.util.Map;
class TmpMeasureTest {
  @Test void measure() throws Exception {
    try (OpenClBackend b = new OpenClBackend()) {
      b.configure(Map.of());
      System.out.println(b.probe());
      ClDevice dev = b.device();
      CsrMatrix a = PoissonGenerator.poisson2d(1000, 1000);
      long bytes = 12L * a.nnz() + 4L * (a.rows() + 1) + 16L * a.rows();
      double[] x = new double[a.rows()]; java.util.Arrays.fill(x, 1); double[] y = new double[a.rows()];
      for (int w = 0; w < 5; w++) a.multiply(x, y);
      long t0 = System.nanoTime(); int reps = 30; for (int r = 0; r < reps; r++) a.multiply(x, y);
      double host = (System.nanoTime() - t0) / 1e9 / reps;
      System.out.printf("MEASURE host-scalar-csr n=%d nnz=%d ms=%.3f gbps=%.2f%n", a.rows(), a.nnz(), host * 1e3, bytes / host / 1e9);
      for (int lanes : new int[] {1, 2, 4, 8}) {
        CgKernels k = CgKernels.create(dev, true, lanes, false, a.rows(), "");
        var lease = dev.matrices.acquire(a, true, 0);
        cl_command_queue q = dev.newQueue();
        cl_mem dx = ClBuffers.readOnly(dev.context, x, true), dy = ClBuffers.scratch(dev.context, a.rows(), true);
        for (int w = 0; w < 5; w++) k.enqueueSpmv(q, lease.matrix, dx, dy);
        CL.clFinish(q);
        t0 = System.nanoTime(); for (int r = 0; r < reps; r++) k.enqueueSpmv(q, lease.matrix, dx, dy); CL.clFinish(q);
        double t = (System.nanoTime() - t0) / 1e9 / reps;
        System.out.printf("MEASURE opencl-spmv lanes=%d ms=%.3f gbps=%.2f ratio_vs_host=%.2f%n", lanes, t * 1e3, bytes / t / 1e9, host / t);
        ClBuffers.release(dx); ClBuffers.release(dy); CL.clReleaseCommandQueue(q); lease.close(); k.close();
      }
      Job job = ReferenceJobs.linear("cg", PoissonGenerator.poisson2d(300, 300), LinearMethod.CG, 1e-8, 100000);
      Backend cpu = new dev.kiln.backend.cpu.CpuBackend();
      for (int rep = 0; rep < 2; rep++) {
        t0 = System.nanoTime(); SolveOutcome o = b.solve(job, ProgressSink.NONE, Cancellation.NONE); double tc = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime(); SolveOutcome c = cpu.solve(job, ProgressSink.NONE, Cancellation.NONE); double tp = (System.nanoTime() - t0) / 1e6;
        System.out.printf("MEASURE cg poisson2d-300 opencl_ms=%.1f iters=%d res=%.2e cpu_ms=%.1f iters=%d res=%.2e ratio=%.2f%n", tc, o.iterations(), o.residualNorm(), tp, c.iterations(), c.residualNorm(), tp / tc);
      }
    }
  }
}
