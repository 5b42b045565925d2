// A page standing in for one not ready yet (figures being prepared, HTTP 503; an upload being
// checked) asks for that page again now and then. While it is not ready, a status line marked
// `data-follow` shows what the newer answer says (an upload's progress); once it is ready,
// the status line says so and the link leads to it. The page never reloads or moves by itself:
// the reader follows the link when they choose (no change of context unasked, and no timed
// refresh, which WCAG 2.2.1 forbids).
//
// The link: `data-again` its address; `data-while` a selector found only in an answer that is
// still not ready (else only HTTP 503 is); `data-ready` and `data-show` the words once it is.
const again = document.querySelector("a[data-again]");
const said = document.getElementById("ready-status");
const EVERY_MS = 2000;
// a page left open stops asking, so it does not keep its session alive for ever
const GIVE_UP_MS = 15 * 60 * 1000;
const began = Date.now();

function stillWaiting(answer, newer) {
  if (answer.status === 503) {
    return true;
  }
  const marker = again.dataset.while;
  return Boolean(marker && newer.querySelector(marker));
}

async function check() {
  try {
    const answer = await fetch(again.href, {
      cache: "no-store",
      credentials: "same-origin",
      redirect: "manual",
      // told at once whether it is ready, rather than waited on (`equitrack.web.state.AGAIN`)
      headers: { "X-Equitrack-Again": "1" },
    });
    if (answer.type === "opaqueredirect") {
      return; // signed out meanwhile (the link leads to signing in): nothing more to say
    }
    const newer = new DOMParser().parseFromString(await answer.text(), "text/html");
    if (!stillWaiting(answer, newer)) {
      said.textContent = again.dataset.ready || "The figures are ready.";
      again.textContent = again.dataset.show || "Show the figures";
      return;
    }
    const update = newer.getElementById("ready-status");
    if ("follow" in said.dataset && update) {
      said.replaceChildren(...Array.from(update.childNodes, (n) => document.importNode(n, true)));
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
