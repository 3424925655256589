package dev.kiln.solvers.train;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (LeCun et al., "The MNIST database",
 * http://yann.lecun.com/exdb/mnist/, section "FILE FORMATS"): a big-endian magic number
 * {@code 0x000008DD} (unsigned bytes, D dimensions), D big-endian sizes, then the bytes.
 * Gzipped files are recognised by their own magic number (RFC 1952 §2.3.1: 0x1f 0x8b).
 */
final class IdxReader {
    private IdxReader() { }

    /** An IDX array of unsigned bytes: its dimensions and its values. */
    record IdxArray(int[] dims, byte[] data) {
        int count() { return dims[0]; }
        int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) s *= dims[i];
            return s;
        }
    }

    static IdxArray read(InputStream raw, String name, int limit) throws IOException {
        InputStream in = raw.markSupported() ? raw : new java.io.BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) in = new java.io.BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        DataInputStream d = new DataInputStream(in);
        int magic = d.readInt();
        if ((magic >>> 8) != 0x08) throw new IOException(name + ": not an IDX file of unsigned bytes (magic 0x" + Integer.toHexString(magic) + ")");
        int dims = magic & 0xff;
        if (dims < 1 || dims > 4) throw new IOException(name + ": IDX with " + dims + " dimensions");
        int[] shape = new int[dims];
        long total = 1;
        for (int i = 0; i < dims; i++) {
            shape[i] = d.readInt();
            if (shape[i] < 0) throw new IOException(name + ": negative dimension");
            total *= shape[i];
        }
        if (limit > 0 && limit < shape[0]) {
            total = total / Math.max(1, shape[0]) * limit;
            shape[0] = limit;
        }
        if (total > Integer.MAX_VALUE - 16) throw new IOException(name + ": too large");
        byte[] data = new byte[(int) total];
        d.readFully(data);
        return new IdxArray(shape, data);
    }
}
