// println(double) prints scientific notation for small values (1.4142135623730951E-6):
// the default validator must accept it under float_tolerance.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Walk {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        double total = 0, px = 0, py = 0;
        for (int i = 0; i < n; i++) {
            StringTokenizer st = new StringTokenizer(in.readLine());
            double x = Double.parseDouble(st.nextToken());
            double y = Double.parseDouble(st.nextToken());
            if (i > 0)
                total += Math.hypot(x - px, y - py);
            px = x;
            py = y;
        }
        System.out.println(total);
    }
}
