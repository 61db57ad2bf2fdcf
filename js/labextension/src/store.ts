/**
 * The progress kept in JupyterLab's state database, which lives in the user's workspace: it
 * survives page reloads and kernel restarts and needs no server of ours (Binder, JupyterLite).
 */

import { IStateDB } from '@jupyterlab/statedb';
import { ISignal, Signal } from '@lumino/signaling';
import { ReadonlyPartialJSONValue } from '@lumino/coreutils';

import { CourseProgress, normalizeProgress } from './progress';

/** State database key (contract §4). */
export const PROGRESS_KEY = 'lnhet-widgets:progress';

export class ProgressStore {
  /**
   * @param restored - resolves when the application has restored its workspace (the state
   *   database answers only then); updates that arrive earlier wait for the saved progress.
   */
  constructor(
    private readonly _state: IStateDB,
    restored: Promise<unknown>
  ) {
    this.loaded = restored.then(async () => {
      const saved = await this._state.fetch(PROGRESS_KEY);
      this._progress = normalizeProgress(saved);
      this._changed.emit(this._progress);
      if (saved === undefined) {
        // Remembers the visit, so that only the very first one counts as first.
        await this._state.save(PROGRESS_KEY, {});
      }
      return saved !== undefined;
    });
    this._queue = this.loaded.then(() => undefined);
  }

  /** Resolves once the saved progress is read: true if there was any (not a first visit). */
  readonly loaded: Promise<boolean>;

  get progress(): CourseProgress {
    return this._progress;
  }

  /** Emitted with the new progress after every change, and once the saved one is read. */
  get changed(): ISignal<this, CourseProgress> {
    return this._changed;
  }

  /**
   * Apply `change` and save. Updates are chained, so events arriving together (Run All)
   * are all kept and saved in order.
   */
  update(change: (progress: CourseProgress) => CourseProgress): Promise<void> {
    this._queue = this._queue.then(async () => {
      const next = change(this._progress);
      if (JSON.stringify(next) === JSON.stringify(this._progress)) {
        return;
      }
      this._progress = next;
      this._changed.emit(next);
      await this._state.save(PROGRESS_KEY, next as unknown as ReadonlyPartialJSONValue);
    });
    // One failed read or save must not stop every later update.
    this._queue = this._queue.catch(reason =>
      console.error('lnhet-widgets: the course progress was not saved', reason)
    );
    return this._queue;
  }

  private _progress: CourseProgress = {};
  private _queue: Promise<void>;
  private readonly _changed = new Signal<this, CourseProgress>(this);
}
