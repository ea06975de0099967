// Node.js: console.log adds the newline.
console.log('Hello World!');
