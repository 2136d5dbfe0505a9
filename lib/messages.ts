/** What every message of the store starts with, so that a log line says where it comes from. */
export const PREFIX = 'sequelize-session-store:';
