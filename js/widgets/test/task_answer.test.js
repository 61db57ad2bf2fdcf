// Unit tests of the task answer's front end: `node --test js/widgets/test/`.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import taskAnswer, { OPEN_REQUEST, TASK_CLASS, bodyFor } from "../task_answer.js";

// Just enough DOM for render(): elements that hold children, text, data and listeners.
class FakeElement extends EventTarget {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.dataset = {};
    this.style = {};
    this.textContent = "";
    this.className = "";
    this.open = false;
  }

  append(...nodes) {
    this.children.push(...nodes);
  }
}

// An anywidget model: synced values, change events, and the messages sent to the kernel.
function fakeModel(values) {
  const handlers = new Map();
  const sent = [];
  return {
    sent,
    get: (name) => values[name],
    on(name, handler) {
      handlers.set(name, [...(handlers.get(name) ?? []), handler]);
    },
    off(name, handler) {
      handlers.set(name, (handlers.get(name) ?? []).filter((h) => h !== handler));
    },
    send(content) {
      sent.push(content);
    },
    // The kernel's reply: new values, then one change event per name, as Backbone fires them.
    receive(changes) {
      Object.assign(values, changes);
      for (const name of Object.keys(changes)) {
        for (const handler of handlers.get(`change:${name}`) ?? []) handler();
      }
    },
    listeners: (name) => (handlers.get(name) ?? []).length,
  };
}

function open(details) {
  details.open = true;
  details.dispatchEvent(new Event("toggle"));
}

describe("bodyFor", () => {
  test("says it is computing while an opening waits", () => {
    assert.deepEqual(bodyFor({ revision: 1, text: "old", error: "" }, true),
                     { text: "Computing the answer…", isError: false });
  });

  test("shows the printed answer, or says it printed nothing", () => {
    assert.deepEqual(bodyFor({ revision: 1, text: "4\n", error: "" }, false),
                     { text: "4\n", isError: false });
    assert.equal(bodyFor({ revision: 1, text: "", error: "" }, false).text,
                 "(the answer printed nothing)");
  });

  test("shows nothing before the first computation", () => {
    assert.deepEqual(bodyFor({ revision: 0, text: "", error: "" }, false),
                     { text: "", isError: false });
  });

  test("shows an error after what was printed before it", () => {
    assert.deepEqual(bodyFor({ revision: 2, text: "a", error: "ZeroDivisionError" }, false),
                     { text: "a\nZeroDivisionError", isError: true });
  });
});

describe("render", () => {
  let el;
  let model;
  let cleanup;

  beforeEach(() => {
    globalThis.document = { createElement: (tag) => new FakeElement(tag) };
    el = new FakeElement("div");
    model = fakeModel({ title: "Task 2", key: "Task 2 [abc]", text: "", error: "", revision: 0 });
    cleanup = taskAnswer.render({ model, el });
  });

  afterEach(() => {
    delete globalThis.document;
  });

  test("draws a closed details block the course extension recognises", () => {
    const [details] = el.children;
    assert.equal(details.tagName, "DETAILS");
    assert.equal(details.className, TASK_CLASS);
    assert.equal(details.dataset.lnhetTask, "Task 2 [abc]");
    assert.equal(details.open, false);
    assert.equal(details.children[0].children[0].textContent, "Task 2");
    assert.deepEqual(model.sent, []);
  });

  test("asks the kernel at each opening and shows its answer when it arrives", () => {
    const [details] = el.children;
    const body = details.children[1];
    open(details);
    assert.deepEqual(model.sent, [OPEN_REQUEST]);
    assert.equal(body.textContent, "Computing the answer…");
    model.receive({ text: "misfit 7.8 %\n", error: "", revision: 1 });
    assert.equal(body.textContent, "misfit 7.8 %\n");

    details.open = false;
    details.dispatchEvent(new Event("toggle"));
    assert.equal(model.sent.length, 1, "closing asks nothing");
    open(details);
    assert.equal(model.sent.length, 2, "a second opening computes again");
    assert.equal(body.textContent, "Computing the answer…");
    model.receive({ text: "", error: "ValueError: bad", revision: 2 });
    assert.equal(body.textContent, "ValueError: bad");
    assert.equal(body.style.color, "#b00020");
  });

  test("cleans up its listener", () => {
    assert.equal(model.listeners("change:revision"), 1);
    cleanup();
    assert.equal(model.listeners("change:revision"), 0);
  });
});
