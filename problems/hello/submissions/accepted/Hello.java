// Java: class Hello in Hello.java.
public class Hello {
    public static void main(String[] args) {
        System.out.println("Hello World!");
    }
}
