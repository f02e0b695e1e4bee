// The pipeline pages: the board, a prospect, moving a prospect.

// After a move on the board, bring the celebrated card into view: on a phone its new column
// may be scrolled out of sight inside the board.
document.addEventListener("htmx:afterSettle", function () {
  var moved = document.querySelector(".board .just-moved");
  if (moved && moved.scrollIntoView) {
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    moved.scrollIntoView({ behavior: still ? "auto" : "smooth", block: "center", inline: "start" });
  }
});
