// Package widgets tests in a real headless Chromium what the client does
// without the server (DOM commands, lvt-ignore), server events reaching a
// hook, background work, and a tab that wakes up after the server
// restarted while it was hidden (issue 15).
package widgets
