// Partial (score 50): Kadane with int, which wraps around in group 3 where sums pass 2^31.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class IntSums {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        StringTokenizer st = new StringTokenizer(in.readLine());
        int cur = 0, best = 0;
        for (int i = 0; i < n; i++) {
            int v = Integer.parseInt(st.nextToken());
            cur = (i == 0 || cur < 0) ? v : cur + v;
            if (i == 0 || cur > best)
                best = cur;
        }
        System.out.println(best);
    }
}
