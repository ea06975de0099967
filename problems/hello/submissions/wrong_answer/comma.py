# Wrong: "Hello," is a different token than "Hello".
print("Hello, World!")
