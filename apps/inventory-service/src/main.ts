import './instrumentation';
import { runService } from '@shopflow/bootstrap';
import { readConfig, SERVICE_NAME } from './config';
import { startService } from './service';

runService({ name: SERVICE_NAME, readConfig, start: startService });
