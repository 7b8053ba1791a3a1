import { parseSparkOption } from './IntervalChart.js';
import { WallboardApp } from './WallboardApp.js';
import { parseBoardOptions } from './WallboardLogic.js';
import { WallboardSocket, socketUrl } from './WallboardSocket.js';

// Entry point of index.html: read ?queues= / ?theme=, mount the board, connect it to the daemon that served it.
const options = { ...parseBoardOptions(location.search), spark: parseSparkOption(location.search) };
document.documentElement.dataset.theme = options.theme;

const el = document.querySelector('.wallboard-app');
WallboardApp(el, options);
WallboardSocket(el, { url: socketUrl(location), board: options });
