// Main.java - the JVM under the runtime policy: stdin, collections, threads, GC.
import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        List<Long> v = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null)
            for (String t : line.trim().split("\\s+"))
                if (!t.isEmpty()) v.add(Long.parseLong(t));
        Collections.sort(v);
        long[] sum = {0};
        Thread th = new Thread(() -> { for (long y : v) sum[0] += y; });
        th.start();
        th.join();
        System.out.println("sum " + sum[0] + " min " + (v.isEmpty() ? 0 : v.get(0)));
    }
}
