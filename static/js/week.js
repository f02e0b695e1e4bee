// My week.

// The undo of a quick-log tap is offered for a minute; hide it when the server would refuse.
function armUndo(root) {
  (root || document).querySelectorAll("[data-undo-seconds]").forEach(function (bar) {
    if (bar.dataset.armed) return;
    bar.dataset.armed = "1";
    setTimeout(function () { bar.remove(); }, Number(bar.dataset.undoSeconds) * 1000);
  });
}
document.addEventListener("DOMContentLoaded", function () { armUndo(document); });
document.addEventListener("htmx:afterSettle", function () { armUndo(document); });

// A tap replaces the whole quick-log section, which a screen reader does not announce: say
// what it did, and the new count, in the live region beside it.
document.addEventListener("htmx:afterSettle", function (event) {
  var said = document.getElementById("quick-log-said");
  var section = document.getElementById("quick-log");
  if (!said || !section || !section.contains(event.target)) return;
  var error = section.querySelector(".form-error");
  var undo = section.querySelector(".undo-bar span");
  var tapped = section.querySelector(".just-logged");
  var text = error ? error.textContent : (undo ? undo.textContent : "");
  if (tapped && !error) {
    text += " " + tapped.querySelector(".quick-name").textContent + ": " +
      tapped.querySelector(".quick-count").textContent + " this week.";
  }
  said.textContent = text.trim();
});
