/* Progressive enhancement of the e-form page: save the draft in the background whenever a field changes.
   Without JavaScript the "Lưu nháp" and "Tiếp tục" buttons save it; this only makes it happen sooner. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var timer = null;
  var saving = false;
  var again = false;

  function save() {
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    var data = new FormData(form);
    data.set("action", "autosave");
    // form.action would be the buttons named "action"; the attribute is the URL.
    fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (status && body && body.message) {
            status.textContent = body.message;
          }
        });
      })
      .catch(function () {
        /* Offline or navigating away: the buttons still save. */
      })
      .then(function () {
        saving = false;
        if (again) {
          again = false;
          save();
        }
      });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 800);
  });
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
  });
})();
