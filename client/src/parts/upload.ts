// Part "upload": file uploads (upload.ts), loaded on pages that send files.
import { define } from '../part';
import { uploads } from '../upload';

define('upload', uploads);
