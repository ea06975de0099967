// Manacher's algorithm: O(n).
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Manacher {
    public static void main(String[] args) throws IOException {
        String s = new BufferedReader(new InputStreamReader(System.in)).readLine().trim();
        int n = s.length(), m = 2 * n + 3;
        char[] t = new char[m];
        t[0] = '^';
        for (int i = 0; i < n; i++) {
            t[2 * i + 1] = '#';
            t[2 * i + 2] = s.charAt(i);
        }
        t[2 * n + 1] = '#';
        t[2 * n + 2] = '$';
        int[] p = new int[m];
        int center = 0, right = 0, best = 0;
        for (int i = 1; i < m - 1; i++) {
            if (i < right)
                p[i] = Math.min(right - i, p[2 * center - i]);
            while (t[i + p[i] + 1] == t[i - p[i] - 1])
                p[i]++;
            if (i + p[i] > right) {
                center = i;
                right = i + p[i];
            }
            best = Math.max(best, p[i]);
        }
        System.out.println(best);
    }
}
