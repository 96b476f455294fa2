import { describe } from "./describe.js";

document.getElementById("status").textContent = describe("esbuild");
