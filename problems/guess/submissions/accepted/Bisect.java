// Binary search in Java; System.out is flushed after every guess.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Bisect {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long lo = 1, hi = 1_000_000_000L;
        while (true) {
            long mid = (lo + hi) / 2;
            System.out.println(mid);
            System.out.flush();
            String reply = in.readLine().trim();
            if (reply.equals("correct"))
                return;
            if (reply.equals("lower"))
                hi = mid - 1;
            else
                lo = mid + 1;
        }
    }
}
