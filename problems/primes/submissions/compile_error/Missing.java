// Does not compile: calls a method that does not exist.
public class Missing {
    public static void main(String[] args) {
        int n = new java.util.Scanner(System.in).nextInt();
        System.out.println(countPrimesUpTo(n));
    }
}
