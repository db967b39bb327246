import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';

buildApp(new App());
