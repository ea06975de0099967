// Kahn's algorithm with a stack (last freed task first).
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

public class Order {
    private static final DataInputStream in = new DataInputStream(System.in);

    private static int readInt() throws IOException {
        int c = in.read();
        while (c == ' ' || c == '\n' || c == '\t' || c == '\r')
            c = in.read();
        int v = 0;
        while (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            c = in.read();
        }
        return v;
    }

    public static void main(String[] args) throws IOException {
        int n = readInt(), m = readInt();
        List<List<Integer>> adj = new ArrayList<>();
        for (int v = 0; v <= n; v++)
            adj.add(new ArrayList<>());
        int[] indeg = new int[n + 1];
        for (int i = 0; i < m; i++) {
            int a = readInt(), b = readInt();
            adj.get(a).add(b);
            indeg[b]++;
        }
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        for (int v = 1; v <= n; v++)
            if (indeg[v] == 0)
                stack.push(v);
        StringBuilder out = new StringBuilder();
        int done = 0;
        while (!stack.isEmpty()) {
            int v = stack.pop();
            out.append(v).append(' ');
            done++;
            for (int w : adj.get(v))
                if (--indeg[w] == 0)
                    stack.push(w);
        }
        System.out.println(done < n ? "IMPOSSIBLE" : out.toString().trim());
    }
}
