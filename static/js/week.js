// Marks the page as scripted so controls meant only for browsers without JavaScript (such as
// a "Show" button next to a select that htmx already updates on change) can be hidden.
document.documentElement.classList.add("js");

// After a move on the board, bring the celebrated card into view: on a phone its new column
// may be scrolled out of sight inside the board.
document.addEventListener("htmx:afterSettle", function () {
  var moved = document.querySelector(".board .just-moved");
  if (moved && moved.scrollIntoView) {
    moved.scrollIntoView({ behavior: "smooth", block: "center", inline: "start" });
  }
});

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
