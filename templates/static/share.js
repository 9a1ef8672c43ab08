// IOP Finder: "Copy link" and "Share" on the shortlist page and "Print" on
// its handout, a progressive
// enhancement. Without this script the page shows the link in a read-only
// field to copy by hand; with it, the two buttons appear where the browser
// can copy to the clipboard or has the Web Share API. No data leaves the page
// except through the visitor's own share sheet.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-share-url]");
  Array.prototype.forEach.call(boxes, function (box) {
    var url = box.getAttribute("data-share-url");
    var status = box.querySelector("[role=status]");
    var copy = box.querySelector("[data-action=copy]");
    var share = box.querySelector("[data-action=share]");
    var say = function (text) { if (status) { status.textContent = text; } };
    if (copy && navigator.clipboard && navigator.clipboard.writeText) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(
          function () { say(box.getAttribute("data-copied")); },
          function () {
            var field = document.getElementById("share-url");
            if (field) { field.focus(); field.select(); }
          }
        );
      });
    }
    if (share && navigator.share) {
      share.hidden = false;
      share.addEventListener("click", function () {
        navigator.share({ title: box.getAttribute("data-title"), url: url })
          .catch(function () { /* the visitor closed the share sheet */ });
      });
    }
  });
  // "Print this sheet" on the handout: the browser's own Print command
  Array.prototype.forEach.call(document.querySelectorAll("[data-action=print]"), function (button) {
    if (typeof window.print !== "function") { return; }
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  var field = document.getElementById("share-url");
  if (field) {
    field.addEventListener("focus", function () { field.select(); });
  }
})();
