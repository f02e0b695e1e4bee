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
