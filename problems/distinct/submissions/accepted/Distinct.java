// Byte-level reader (Scanner would be far too slow for 20 MB), then sort a long[].
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;

public class Distinct {
    private static final DataInputStream in = new DataInputStream(System.in);
    private static final byte[] buf = new byte[1 << 16];
    private static int len = 0, pos = 0;

    private static int read() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0)
                return -1;
        }
        return buf[pos++];
    }

    private static long readLong() throws IOException {
        int c = read();
        while (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            c = read();
        long v = 0;
        while (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            c = read();
        }
        return v;
    }

    public static void main(String[] args) throws IOException {
        int n = (int) readLong();
        long[] v = new long[n];
        for (int i = 0; i < n; i++)
            v[i] = readLong();
        Arrays.sort(v);
        int distinct = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++)
            if (v[i] != v[i - 1])
                distinct++;
        System.out.println(distinct);
    }
}
