/** Absolute path of the folder holding index.html, app.js and styles.css (with a trailing slash). */
export declare const webRoot: string;
