// Autosave of the article body, in this browser only (localStorage): a crash, a
// closed tab or a refused save never costs an editor their text, and nothing is
// written to the server until they press Save, so autosave cannot cause an edit
// conflict. Drafts are keyed by the page (the story's change or add address) and
// remember the story version they were typed on.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const body = document.getElementById("id_body");
  const version = document.getElementById("id_base_version");
  if (!body || !version || !body.form) {
    return;
  }
  const key = `newsroom:article-draft:${window.location.pathname}`;
  const pageVersion = Number(version.value);
  const refused = document.querySelector(".errornote") !== null;
  const adding = window.location.pathname.endsWith("/add/");

  const read = () => {
    try {
      return JSON.parse(window.localStorage.getItem(key));
    } catch {
      return null;
    }
  };
  const store = (submitted) => {
    const draft = {
      body: body.value,
      version: Number(version.value),
      typedAt: new Date().toISOString(),
      submitted,
    };
    window.localStorage.setItem(key, JSON.stringify(draft));
  };
  const forget = () => window.localStorage.removeItem(key);

  const offer = (draft) => {
    const typed = new Date(draft.typedAt).toLocaleString();
    const list = document.createElement("ul");
    list.className = "messagelist autosave-offer";
    const item = document.createElement("li");
    item.className = "warning";
    item.setAttribute("role", "status");
    let text = `This browser kept body text you had not saved (typed ${typed}).`;
    if (draft.version < pageVersion) {
      text += " The story has been saved since: compare before you save.";
    }
    item.append(text, " ");
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = "Restore my text";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Discard it";
    item.append(restore, " ", discard);
    list.append(item);
    body.closest(".form-row")?.before(list) ?? body.before(list);
    restore.addEventListener("click", () => {
      body.value = draft.body;
      store(false);
      list.remove();
      body.focus();
    });
    discard.addEventListener("click", () => {
      forget();
      list.remove();
    });
  };

  const draft = read();
  if (refused) {
    // The form came back with the editor's text in it (a conflict or another
    // error): keep it, on the version the page now carries.
    store(false);
  } else if (draft) {
    // A submitted draft that did not come back as an error page was saved.
    const landed = draft.submitted && (adding || draft.version < pageVersion);
    if (landed || draft.body === body.value) {
      forget();
    } else {
      offer(draft);
    }
  }

  let pending;
  body.addEventListener("input", () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(() => store(false), 300);
  });
  body.form.addEventListener("submit", () => {
    window.clearTimeout(pending);
    store(true);
  });
});
