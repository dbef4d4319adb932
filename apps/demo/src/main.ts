import { runDemo } from "./demo.js";

const { lines } = await runDemo();
for (const line of lines) console.log(line);
