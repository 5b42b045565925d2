// On a page whose figures are being prepared (HTTP 503, `Preparing`): asks for the page again
// now and then, and says in its status line when the figures are ready. It never reloads the
// page itself: the reader follows the link when they choose (no change of context unasked).
const again = document.querySelector("a[data-again]");
const said = document.getElementById("ready-status");
const EVERY_MS = 5000;
// a page left open stops asking, so it does not keep its session alive for ever
const GIVE_UP_MS = 15 * 60 * 1000;
const began = Date.now();

async function check() {
  try {
    const answer = await fetch(again.href, {
      cache: "no-store",
      credentials: "same-origin",
      redirect: "manual",
    });
    if (answer.ok) {
      said.textContent = "The figures are ready.";
      again.textContent = "Show the figures";
      return;
    }
  } catch {
    // the server restarting, say: asked again at the next turn
  }
  if (Date.now() - began < GIVE_UP_MS) {
    setTimeout(check, EVERY_MS);
  }
}

if (again && said) {
  setTimeout(check, EVERY_MS);
}
