package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;
import org.jocl.cl_context;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Matrices uploaded to one device, keyed by content fingerprint, precision and layout, so a family of
 * jobs on one matrix pays for the upload once. Least recently used entries that no solve holds
 * are freed when the cache would grow past its byte budget. Thread-safe: all state is guarded
 * by this object's lock (an upload happens under it too, so two jobs never upload one matrix
 * twice).
 */
final class DeviceMatrixCache implements AutoCloseable {
    private final cl_context context;
    private final long budgetBytes;
    private final LinkedHashMap<String, DeviceMatrix> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long residentBytes;
    private long uploads;

    DeviceMatrixCache(cl_context context, long budgetBytes) {
        this.context = context;
        this.budgetBytes = budgetBytes;
    }

    /** A use of a resident matrix; closing it lets the cache free the matrix once evicted. */
    final class Lease implements AutoCloseable {
        final DeviceMatrix matrix;
        final boolean uploaded;
        private boolean closed;

        private Lease(DeviceMatrix matrix, boolean uploaded) {
            this.matrix = matrix;
            this.uploaded = uploaded;
        }

        @Override
        public void close() {
            synchronized (DeviceMatrixCache.this) {
                if (closed) return;
                closed = true;
                matrix.releaseUser();
            }
        }
    }

    static String key(CsrMatrix a, boolean fp64, DeviceMatrix.Layout layout) {
        return a.fingerprint() + (fp64 ? ":fp64:" : ":fp32:") + layout;
    }

    synchronized boolean contains(CsrMatrix a, boolean fp64, DeviceMatrix.Layout layout) {
        return entries.containsKey(key(a, fp64, layout));
    }

    /**
     * The device copy of {@code a} in {@code layout}, uploaded now unless resident. {@code workBytes}
     * is what the solve will allocate beside it; room for both is made by evicting idle entries.
     */
    synchronized Lease acquire(CsrMatrix a, boolean fp64, DeviceMatrix.Layout layout, long workBytes) {
        String key = key(a, fp64, layout);
        DeviceMatrix m = entries.get(key);
        boolean uploaded = false;
        if (m == null) {
            makeRoom(DeviceMatrix.uploadBytes(a, fp64, layout) + workBytes);
            m = DeviceMatrix.upload(context, a, fp64, layout);
            entries.put(key, m);
            residentBytes += m.bytes;
            uploads++;
            uploaded = true;
        } else {
            makeRoom(workBytes);
        }
        m.acquire();
        return new Lease(m, uploaded);
    }

    private void makeRoom(long bytes) {
        Iterator<Map.Entry<String, DeviceMatrix>> it = entries.entrySet().iterator();
        while (residentBytes + bytes > budgetBytes && it.hasNext()) {
            DeviceMatrix m = it.next().getValue();
            if (m.inUse()) continue;
            it.remove();
            residentBytes -= m.bytes;
            m.evict();
        }
    }

    synchronized long residentBytes() { return residentBytes; }

    synchronized int size() { return entries.size(); }

    /** Uploads since start (tests check reuse with it). */
    synchronized long uploads() { return uploads; }

    @Override
    public synchronized void close() {
        for (DeviceMatrix m : entries.values()) m.evict();
        entries.clear();
        residentBytes = 0;
    }
}
