// Post and unit pickers (progressive enhancement): while the user types a name (婚姻登记) or a code, the input's
// list offers the posts and units it finds. Without script the form answers the same search after submitting.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    if (!list) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (!text || text === asked || /\s·\s/.test(text)) return;  // empty, the same, or a suggestion taken
        asked = text;
        fetch(input.dataset.suggest + "&q=" + encodeURIComponent(text), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (data) {
            if (input.value.trim() !== text) return;  // typed on meanwhile
            list.replaceChildren.apply(list, data.items.map(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              return option;
            }));
          })
          .catch(function () {});
      }, 200);
    });
  });
});
