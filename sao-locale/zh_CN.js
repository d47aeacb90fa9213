/* pm suite (sao-locale/zh_CN.js, merged into custom.js by apply.py):
   sao calls moment.locale(lang.slice(0, 2)), i.e. 'zh', which moment does
   not define: dates, month and day names fell back to English with Sunday
   as the first day of the week. Alias 'zh' to moment's 'zh-cn' (Monday
   first, 2026年11月27日). fullcalendar already gets 'zh-cn'. */
(function() {
    'use strict';
    if (window.moment && moment.locales().indexOf('zh-cn') >= 0 &&
            moment.locales().indexOf('zh') < 0) {
        var current = moment.locale();
        moment.defineLocale('zh', {parentLocale: 'zh-cn'});
        moment.locale(current);
    }
}());
