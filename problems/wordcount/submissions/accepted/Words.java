// trim() first: split("[ \t]+") on a line with leading blanks yields an empty first field.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Words {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String line = in.readLine();
            String t = line == null ? "" : line.trim();
            out.append(t.isEmpty() ? 0 : t.split("[ \t]+").length).append('\n');
        }
        System.out.print(out);
    }
}
